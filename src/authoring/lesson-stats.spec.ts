import { lessonStats } from './lesson-stats';

describe(lessonStats.name, () => {
  it('counts the words a learner reads, not the Markdown around them', () => {
    expect(
      lessonStats(
        '## Price in **USD**\n\n- [Incoterms](https://example.org) matter\n\n![a photo](/x.png)',
        'en',
      ).words,
    ).toBe(5);
  });

  it('does not count HTML that the sanitizer drops', () => {
    expect(lessonStats('Hello <script>var a = b + c;</script> world', 'en').words).toBe(2);
  });

  it('estimates reading time at 200 words a minute in English and 150 in Urdu, at least a minute', () => {
    const words = (n: number) => Array.from({ length: n }, () => 'word').join(' ');
    expect(lessonStats(words(401), 'en').readingMinutes).toBe(3);
    expect(lessonStats(words(300), 'ur').readingMinutes).toBe(2);
    expect(lessonStats('One word', 'en').readingMinutes).toBe(1);
    expect(lessonStats('', 'en')).toEqual({ words: 0, readingMinutes: 0 });
  });
});
