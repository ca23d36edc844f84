import { joinPages, pageOfAnswer, readPages, shownCount } from './pages';

describe('console list pages', () => {
  it('reads a list answer by its member and normalises next', () => {
    expect(pageOfAnswer<number>({ tasks: [1, 2], next: 'abc' }, 'tasks')).toEqual({
      items: [1, 2],
      next: 'abc',
    });
    expect(pageOfAnswer<number>({ tasks: [], next: null }, 'tasks')).toEqual({ items: [], next: null });
    expect(pageOfAnswer<number>({ tasks: [3] }, 'tasks').next).toBeNull();
    expect(() => pageOfAnswer({ switches: [] }, 'tasks')).toThrow(/tasks/);
  });

  it('joins later pages after the first, showing an item both hold once', () => {
    const first = { items: [{ id: 'a' }, { id: 'b' }], next: 'c1' };
    const later = { items: [{ id: 'b' }, { id: 'c' }], next: null };
    expect(joinPages(first, null)).toBe(first);
    expect(joinPages(first, later, (i) => i.id)).toEqual({
      items: [{ id: 'a' }, { id: 'b' }, { id: 'c' }],
      next: null,
    });
    expect(joinPages(first, later).items).toHaveLength(4);
  });

  it('follows next until the list ends', async () => {
    const pages: Record<string, { items: number[]; next: string | null }> = {
      start: { items: [1, 2], next: 'p2' },
      p2: { items: [3], next: 'p3' },
      p3: { items: [4], next: null },
    };
    const asked: (string | undefined)[] = [];
    const fetchPage = async (cursor: string | undefined) => {
      asked.push(cursor);
      return pages[cursor ?? 'start']!;
    };
    expect(await readPages(fetchPage, 10)).toEqual({ items: [1, 2, 3, 4], next: null });
    expect(asked).toEqual([undefined, 'p2', 'p3']);
    expect(await readPages(fetchPage, 2)).toEqual({ items: [1, 2, 3], next: 'p3' });
    expect(await readPages(fetchPage, 5, 'p2')).toEqual({ items: [3, 4], next: null });
  });

  it('marks a count with pages left unread', () => {
    expect(shownCount(12, false)).toBe('12');
    expect(shownCount(12, true)).toBe('12+');
  });
});
