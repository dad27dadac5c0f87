import { Global, Injectable, Module } from '@nestjs/common';

/**
 * The one source of "now" for rules that depend on time (quiz deadlines). Tests move it
 * forward instead of waiting; production never changes it.
 */
@Injectable()
export class Clock {
  private offsetMs = 0;

  now(): Date {
    return new Date(Date.now() + this.offsetMs);
  }

  advance(ms: number): void {
    this.offsetMs += ms;
  }
}

@Global()
@Module({ providers: [Clock], exports: [Clock] })
export class ClockModule {}
