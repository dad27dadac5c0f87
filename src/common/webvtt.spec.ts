import { CaptionsInvalidError, parseCaptions, parseWebVtt, plainCueText, writeWebVtt } from './webvtt';

const vtt = (text: string) => Buffer.from(text, 'utf8');

describe('WebVTT captions', () => {
  it('reads cues with and without identifiers and hours, skipping notes and styles', () => {
    const cues = parseWebVtt(
      vtt('\uFEFFWEBVTT - lesson 1\r\n\r\nNOTE written by hand\r\n\r\nSTYLE\r\n::cue { color: red }\r\n\r\nintro\r\n00:00.000 --> 00:02.500 align:start\r\nWelcome\r\n\r\n01:00:01.000 --> 01:00:03.000\r\nسلام\r\nدوسری لائن\r\n'),
    );
    expect(cues).toEqual([
      { start: 0, end: 2.5, text: 'Welcome' },
      { start: 3601, end: 3603, text: 'سلام\nدوسری لائن' },
    ]);
  });

  it('turns markup into plain text, so a cue cannot carry HTML to the page or the track', () => {
    expect(plainCueText('<v Ayesha><b>Price</b> in <script>alert(1)</script>&lt;EUR&gt; &amp; <img src=x onerror=alert(1)>')).toBe('Price in alert(1)<EUR> &');
    const written = writeWebVtt(parseWebVtt(vtt('WEBVTT\n\n00:01.000 --> 00:02.000\n<i>a</i> &lt;b&gt; --> c\n')));
    expect(written).toBe('WEBVTT\n\n00:00:01.000 --> 00:00:02.000\na &lt;b&gt; --&gt; c\n');
  });

  it.each([
    ['no WEBVTT header', 'WEBVTX\n\n00:01.000 --> 00:02.000\nhi\n', 'videos.captions_not_webvtt'],
    ['an SRT file', '1\n00:00:01,000 --> 00:00:02,000\nhi\n', 'videos.captions_not_webvtt'],
    ['a cue ending before it starts', 'WEBVTT\n\n00:03.000 --> 00:02.000\nhi\n', 'videos.captions_bad_timing'],
    ['a block without timing', 'WEBVTT\n\nhello\nworld\n', 'videos.captions_bad_timing'],
    ['no cue at all', 'WEBVTT\n\nNOTE nothing\n', 'videos.captions_no_cues'],
  ])('refuses %s', (_what, text, key) => {
    let error: unknown;
    try {
      parseWebVtt(vtt(text));
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(CaptionsInvalidError);
    expect((error as CaptionsInvalidError).messageKey).toBe(key);
  });

  it('takes a SubRip (.srt) upload too, as caption tools export it, and stores it as WebVTT', () => {
    const srt = vtt('\uFEFF1\r\n00:00:01,000 --> 00:00:02,500\r\n<i>Welcome</i> to pricing\r\n\r\n2\r\n01:00:01,000 --> 01:00:03,000\r\nسلام\r\nدوسری لائن\r\n');
    const cues = parseCaptions(srt);
    expect(cues).toEqual([
      { start: 1, end: 2.5, text: 'Welcome to pricing' },
      { start: 3601, end: 3603, text: 'سلام\nدوسری لائن' },
    ]);
    expect(writeWebVtt(cues)).toBe('WEBVTT\n\n00:00:01.000 --> 00:00:02.500\nWelcome to pricing\n\n01:00:01.000 --> 01:00:03.000\nسلام\nدوسری لائن\n');
    // WebVTT goes through unchanged; anything else is refused as before, with the file's own line numbers.
    expect(parseCaptions(vtt('WEBVTT\n\n00:01.000 --> 00:02.000\nhi\n'))).toEqual([{ start: 1, end: 2, text: 'hi' }]);
    expect(() => parseCaptions(vtt('WEBVTX\n\n00:01.000 --> 00:02.000\nhi\n'))).toThrow('videos.captions_not_webvtt (line 1)');
    expect(() => parseCaptions(vtt('1\n00:00:01,000 --> 00:00:02,000\nok\n\n2\n00:00:05,000 --> 00:00:04,000\nbad\n'))).toThrow('videos.captions_bad_timing (line 6)');
  });

  it('names the line of a bad timing', () => {
    expect(() => parseWebVtt(vtt('WEBVTT\n\n00:01.000 --> 00:02.000\nok\n\nid\n00:05 --> 00:06.000\nbad\n'))).toThrow('line 7');
  });
});
