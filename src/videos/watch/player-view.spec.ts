import type { LessonVideoView } from '../lesson-video-view';
import { clockTime, megabytes, playerView } from './player-view';

const video: LessonVideoView = {
  videoId: 7,
  status: 'ready',
  posterUrl: '/media/videos/7/poster.jpg',
  masterUrl: '/media/videos/7/master.m3u8',
  durationSeconds: 300,
  portrait: false,
  requiredWatchPercent: 80,
  renditions: [
    { name: '144p', height: 144, bandwidth: 150_000, playlistUrl: '/media/videos/7/144p.m3u8', bytesPerMinute: 1_100_000, bytes: 5_500_000 },
    { name: '240p', height: 240, bandwidth: 300_000, playlistUrl: '/media/videos/7/240p.m3u8', bytesPerMinute: 2_400_000, bytes: 12_000_000 },
    { name: 'audio', bandwidth: 48_000, playlistUrl: '/media/videos/7/audio.m3u8', bytesPerMinute: 360_000, bytes: 1_800_000 },
  ],
  downloads: { mp4Url: '/media/videos/7/v.mp4', mp4Bytes: 12_400_000, audioUrl: '/media/videos/7/a.m4a', audioBytes: 1_850_000 },
  captions: [],
  transcript: [{ lang: 'en', cues: [{ start: 65, text: 'Freight' }] }],
};

describe('player view', () => {
  it('notes the size of the whole video per quality from bytes per minute and the duration', () => {
    const view = playerView(video, { dataSaver: false, offlineBudgetBytes: 50 * 1024 * 1024 });
    expect(view.qualities.map((q) => [q.name, q.megabytes])).toEqual([['144p', 5.5], ['240p', 12], ['audio', 1.8]]);
    expect(view.downloads).toMatchObject({ mp4Megabytes: 12, audioMegabytes: 1.9 });
    expect(view.start).toBe('auto');
    expect(view.durationLabel).toBe('5:00');
    expect(view.transcript[0].cues[0].at).toBe('1:05');
  });

  it('with data saver starts as audio only, or at the lowest quality when there is no audio rendition', () => {
    expect(playerView(video, { dataSaver: true, offlineBudgetBytes: 50 * 1024 * 1024 }).start).toBe('audio');
    expect(playerView(video, { dataSaver: true, offlineBudgetBytes: 50 * 1024 * 1024 }).qualities.find((q) => q.selected)?.name).toBe('audio');
    expect(playerView({ ...video, renditions: video.renditions.filter((r) => r.name !== 'audio') }, { dataSaver: true, offlineBudgetBytes: 50 * 1024 * 1024 }).start).toBe('144p');
  });

  it('offers to save the lowest picture quality for offline, unless the budget is 0', () => {
    expect(playerView(video, { dataSaver: true, offlineBudgetBytes: 1_000_000 }).offline).toEqual({
      rendition: '144p',
      playlistUrl: '/media/videos/7/144p.m3u8',
      bytes: 5_500_000,
      megabytes: 5.5,
      budgetBytes: 1_000_000,
    });
    expect(playerView(video, { dataSaver: false, offlineBudgetBytes: 0 }).offline).toBeNull();
    expect(playerView({ ...video, renditions: video.renditions.filter((r) => r.name === 'audio') }, { dataSaver: false, offlineBudgetBytes: 1_000_000 }).offline).toBeNull();
  });

  it('formats sizes and times for people', () => {
    expect(megabytes(40_000)).toBe(0.1);
    expect(megabytes(0)).toBe(0);
    expect(clockTime(3725)).toBe('1:02:05');
  });
});
