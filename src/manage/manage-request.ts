import type { Request, Response } from 'express';
import type { Viewer } from '../programmes/programmes.service';
import type { Locale, User } from '../users/user.entity';

export function viewer(req: Request): Viewer {
  const user = req.user as User;
  return { id: user.id, role: user.role };
}

export function localeOf(res: Response): Locale {
  return (res.locals.locale as Locale | undefined) ?? 'en';
}

export function sendCsv(res: Response, file: { filename: string; csv: string }): void {
  res.type('text/csv; charset=utf-8').attachment(file.filename).send(file.csv);
}
