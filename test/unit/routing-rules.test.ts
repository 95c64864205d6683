import { routeSession, routingPolicySchema, type RoutingFacts } from '../../domain/routing-rules';

const policy = routingPolicySchema.parse({
  defaultGroupId: 'presale',
  rules: [
    { when: { anyTag: ['vip', 'svip'] }, groupId: 'vip', priority: 9 },
    { when: { entryTypes: ['order', 'logistics'] }, groupId: 'aftersale', priority: 5 },
    { when: { channels: ['api'], entryTypes: ['product'] }, groupId: 'api-presale' },
  ],
});

const facts = (over: Partial<RoutingFacts>): RoutingFacts => ({
  channel: 'web',
  entryType: 'product',
  visitorTags: [],
  ...over,
});

describe('routing rules', () => {
  it.each<[string, Partial<RoutingFacts>, string, number, number | undefined]>([
    [
      'a VIP tag wins over the after-sale rule below it',
      { entryType: 'order', visitorTags: ['vip'] },
      'vip',
      9,
      0,
    ],
    ['any one of the listed tags matches', { visitorTags: ['new', 'svip'] }, 'vip', 9, 0],
    ['an order page goes to after-sale', { entryType: 'order' }, 'aftersale', 5, 1],
    ['a logistics page goes to after-sale', { entryType: 'logistics' }, 'aftersale', 5, 1],
    [
      'all conditions of a rule must hold',
      { channel: 'web', entryType: 'product' },
      'presale',
      0,
      undefined,
    ],
    [
      'a rule with two conditions matches when both hold',
      { channel: 'api', entryType: 'product' },
      'api-presale',
      0,
      2,
    ],
    [
      'no rule matches: the default group',
      { entryType: 'shop', visitorTags: ['regular'] },
      'presale',
      0,
      undefined,
    ],
  ])('when %s', (_name, over, groupId, priority, ruleIndex) => {
    expect(routeSession(policy, facts(over))).toEqual({
      groupId,
      priority,
      ...(ruleIndex === undefined ? {} : { ruleIndex }),
    });
  });

  it('when there are no rules, then everything goes to the default group at the default priority', () => {
    const bare = routingPolicySchema.parse({ defaultGroupId: 'all', defaultPriority: 3 });
    expect(routeSession(bare, facts({}))).toEqual({ groupId: 'all', priority: 3 });
  });

  it.each([
    [
      'an unknown channel',
      { defaultGroupId: 'g', rules: [{ when: { channels: ['fax'] }, groupId: 'g' }] },
      'rules.0.when.channels.0',
    ],
    [
      'a priority above 9',
      { defaultGroupId: 'g', rules: [{ when: {}, groupId: 'g', priority: 10 }] },
      'rules.0.priority',
    ],
    [
      'an empty tag list',
      { defaultGroupId: 'g', rules: [{ when: { anyTag: [] }, groupId: 'g' }] },
      'rules.0.when.anyTag',
    ],
    ['no default group', { rules: [] }, 'defaultGroupId'],
    [
      'an unknown condition',
      { defaultGroupId: 'g', rules: [{ when: { country: 'CN' }, groupId: 'g' }] },
      'rules.0.when',
    ],
  ])('when a policy has %s, then validation names the bad field', (_name, input, path) => {
    const result = routingPolicySchema.safeParse(input);
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((i) => i.path.join('.'))).toContain(path);
  });
});
