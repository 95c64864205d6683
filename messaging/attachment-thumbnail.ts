import sharp from 'sharp';

/**
 * An image's size and thumbnail, made with sharp (libvips, from its npm
 * package's prebuilt binaries). Decoding the whole image also proves it is
 * one: bytes that start like a PNG but do not decode are refused.
 */

/** The thumbnail's longest side, in pixels; a smaller image keeps its size. */
export const thumbnailSide = 320;
/** Refuses decompression bombs: a small file that decodes to a huge bitmap. */
const maxInputPixels = 50_000_000;

export interface ImageFacts {
  width: number;
  height: number;
  thumbnail: { bytes: Buffer; mimeType: string; width: number; height: number };
}

/** Undefined when the bytes do not decode as an image. */
export async function imageFacts(bytes: Buffer): Promise<ImageFacts | undefined> {
  try {
    const image = sharp(bytes, { limitInputPixels: maxInputPixels, failOn: 'error' });
    const meta = await image.metadata();
    // As it is shown: a photo's EXIF orientation turns it.
    const { width, height } = meta.autoOrient;
    const { data, info } = await image
      .rotate()
      .resize({
        width: thumbnailSide,
        height: thumbnailSide,
        fit: 'inside',
        withoutEnlargement: true,
      })
      .webp({ quality: 75 })
      .toBuffer({ resolveWithObject: true });
    return {
      width,
      height,
      thumbnail: { bytes: data, mimeType: 'image/webp', width: info.width, height: info.height },
    };
  } catch {
    return undefined;
  }
}
