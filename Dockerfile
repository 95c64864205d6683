# The engine's image: one image, two processes (api and worker), chosen by the
# command. glibc-based Node (not alpine): the Temporal worker's native core
# needs it.

FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# `npm install` with the lock present installs the locked versions; `npm ci`
# would refuse a lock that lists only the linux-x64 builds of native packages.
RUN npm install --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY domain domain
COPY runtime runtime
COPY stores stores
COPY events events
COPY reports reports
COPY routing routing
COPY messaging messaging
COPY channels channels
COPY activities activities
COPY workflows workflows
COPY wiring wiring
COPY workers workers
COPY api api
RUN npm run build

FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm install --omit=dev --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist dist
COPY console console
USER node
EXPOSE 3000
# The worker runs the same image with: node dist/workers/main.js
CMD ["node", "dist/api/main.js"]
