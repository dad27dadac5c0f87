import type { CourseVideos } from '../lesson-video-view';

/**
 * Where the watch side reads a course's videos from (VideosService in the app). The watch code
 * needs only this one method, so it is declared here and bound in WatchModule.
 */
export abstract class LessonVideoSource {
  abstract videosForCourse(courseId: number): Promise<CourseVideos>;
}
