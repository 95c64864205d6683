import { autoTagsFor, tagSchema, tagSetRefusal, tagVisibleTo, type Tag } from '../../domain/tags';

const tag = (tagId: string, rule: Tag['rule']): Tag => ({
  tagId,
  groupId: 'g',
  name: tagId,
  target: 'session',
  kind: 'auto',
  visibility: 'all',
  ...(rule ? { rule } : {}),
});

const opened = {
  channel: 'web' as const,
  entry: { type: 'order' as const },
  visitor: { id: 'v1', tags: ['vip'] },
};

describe('auto tags', () => {
  it('when every condition of a rule holds, then the session gets the tag', () => {
    const tags = [
      tag('after-sale', { entryTypes: ['order', 'logistics'] }),
      tag('vip-web', { channels: ['web'], visitorTags: ['vip', 'gold'] }),
      tag('pre-sale', { entryTypes: ['product'] }),
      tag('api-vip', { channels: ['api'], visitorTags: ['vip'] }),
    ];
    expect(autoTagsFor(tags, opened)).toEqual(['after-sale', 'vip-web']);
  });

  it('when a tag is manual, then no rule applies it', () => {
    expect(autoTagsFor([{ ...tag('m', { channels: ['web'] }), kind: 'manual' }], opened)).toEqual(
      [],
    );
  });
});

describe('tag rules', () => {
  it('when an auto tag has no rule or targets customers, then the schema names the field', () => {
    const noRule = tagSchema.safeParse({
      groupId: 'g',
      name: 'n',
      target: 'session',
      kind: 'auto',
    });
    expect(noRule.error?.issues.map((i) => i.path.join('.'))).toEqual(['rule']);
    const customer = tagSchema.safeParse({
      groupId: 'g',
      name: 'n',
      target: 'customer',
      kind: 'auto',
      rule: { channels: ['web'] },
    });
    expect(customer.error?.issues.map((i) => i.path.join('.'))).toEqual(['target']);
    const emptyRule = tagSchema.safeParse({
      groupId: 'g',
      name: 'n',
      target: 'session',
      kind: 'auto',
      rule: {},
    });
    expect(emptyRule.success).toBe(false);
  });

  it('when roles set tags, then auto tags refuse everyone, external ones people, manual ones systems', () => {
    expect(tagSetRefusal({ tagId: 't', kind: 'auto' }, 'admin')).toBeDefined();
    expect(tagSetRefusal({ tagId: 't', kind: 'external' }, 'agent')).toBeDefined();
    expect(tagSetRefusal({ tagId: 't', kind: 'external' }, 'integration')).toBeUndefined();
    expect(tagSetRefusal({ tagId: 't', kind: 'manual' }, 'integration')).toBeDefined();
    expect(tagSetRefusal({ tagId: 't', kind: 'manual' }, 'agent')).toBeUndefined();
    expect(tagVisibleTo({ visibility: 'supervisors' }, 'agent')).toBe(false);
    expect(tagVisibleTo({ visibility: 'supervisors' }, 'supervisor')).toBe(true);
  });
});
