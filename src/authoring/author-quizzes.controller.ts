import { Body, Controller, Get, HttpCode, Param, ParseIntPipe, Post, Query, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { CurrentUser } from '../auth/current-user.decorator';
import { User } from '../users/user.entity';
import { RequireRole } from '../auth/roles.decorator';
import { FormInvalidError, NotFoundError } from '../common/domain-error';
import { renderForm } from '../common/forms';
import { writeGift } from '../quizzes/gift/gift-writer';
import { QuizzesService } from '../quizzes/quizzes.service';
import { courseHeader, placementOptions, quizOptions, quizValues } from './author-pages';
import { readNewQuiz, readQuizSettings, revisionOf } from './authoring-forms';
import { QuizChangedError } from './authoring-errors';
import {
  AuthoringService,
  GiftImportMode,
  GiftInvalidError,
  GiftPreview,
  QuestionInvalidError,
} from './authoring.service';
import { uploadedFile } from './authoring-upload.middleware';
import { CourseAccess, CourseAccessService } from './course-access.service';
import { DraftContent, DraftQuiz, quizBySlug } from './draft-content';
import { DraftsService } from './drafts.service';
import {
  emptyQuestionForm,
  isQuestionType,
  QUESTION_TYPES,
  QuestionForm,
  questionFormFromBody,
  questionFormFromDefinition,
  questionFromForm,
  TEXT_FORMATS,
  withBlankRows,
} from './question-form';

type Body = Record<string, unknown>;

interface QuizPageExtra {
  values?: Record<string, unknown>;
  gift?: { source: string; mode: GiftImportMode; preview: GiftPreview | null; imported?: number };
  conflict?: boolean;
  done?: string | null;
}

/** The quiz builder: quiz settings, questions through forms, GIFT paste/upload with a preview, GIFT export. */
@Controller('author/courses/:id/quizzes')
@RequireRole('trainer')
export class AuthorQuizzesController {
  constructor(
    private readonly access: CourseAccessService,
    private readonly authoring: AuthoringService,
    private readonly drafts: DraftsService,
    private readonly quizzes: QuizzesService,
  ) {}

  private async load(
    user: User,
    id: number,
    slug: string,
  ): Promise<{ access: CourseAccess; draft: DraftContent; quiz: DraftQuiz }> {
    const access = await this.access.access(user, id);
    const draft = (await this.drafts.read(access.course)).content;
    const quiz = quizBySlug(draft, slug);
    if (!quiz) throw new NotFoundError('quizzes.not_found');
    return { access, draft, quiz };
  }

  @Post()
  @HttpCode(200)
  async add(
    @Param('id', ParseIntPipe) id: number,
    @Body() body: Body,
    @CurrentUser() user: User,
    @Res() res: Response,
  ) {
    const access = await this.access.access(user, id);
    const draft = (await this.drafts.read(access.course)).content;
    const slug = await this.authoring.addQuiz(
      user,
      access,
      readNewQuiz(
        body,
        draft.modules.map((m) => m.slug),
      ),
    );
    res.redirect(303, `/author/courses/${id}/quizzes/${slug}`);
  }

  @Get(':slug')
  async show(
    @Param('id', ParseIntPipe) id: number,
    @Param('slug') slug: string,
    @CurrentUser() user: User,
    @Req() req: Request,
    @Res() res: Response,
    @Query('done') done?: string,
  ) {
    const { access, draft, quiz } = await this.load(user, id, slug);
    await this.renderQuiz(req, res, access, draft, quiz, {
      done: typeof done === 'string' ? `author.done.${done.replace(/[^a-z_]/g, '')}` : null,
    });
  }

  private async renderQuiz(
    req: Request,
    res: Response,
    access: CourseAccess,
    draft: DraftContent,
    quiz: DraftQuiz,
    extra: QuizPageExtra,
    error?: FormInvalidError,
  ) {
    const values = (extra.values as Record<string, string>) ?? quizValues(quiz);
    const live = (await this.quizzes.listCourseQuizzes(access.course.id)).find((q) => q.slug === quiz.slug);
    renderForm(
      req,
      res,
      'author/quiz',
      {
        course: courseHeader(access.course),
        quiz,
        pageTitle: quiz.title,
        values,
        placements: placementOptions(draft, String(values.placement ?? '')),
        ...quizOptions(values),
        questions: quiz.questions.map((q, i) => ({
          number: i + 1,
          name: q.name,
          typeKey: `author.question_type.${q.type}`,
          text: q.text.slice(0, 160),
        })),
        questionTypes: QUESTION_TYPES.map((type) => ({ type, labelKey: `author.question_type.${type}` })),
        gift: extra.gift ?? { source: '', mode: 'add', preview: null },
        giftModeReplace: extra.gift?.mode === 'replace',
        liveQuizId: live?.id ?? null,
        conflict: extra.conflict,
        done: extra.done,
      },
      error,
    );
  }

  @Post(':slug')
  @HttpCode(200)
  async saveSettings(
    @Param('id', ParseIntPipe) id: number,
    @Param('slug') slug: string,
    @Body() body: Body,
    @CurrentUser() user: User,
    @Req() req: Request,
    @Res() res: Response,
  ) {
    const { access, draft, quiz } = await this.load(user, id, slug);
    try {
      await this.authoring.saveQuizSettings(
        user,
        access,
        slug,
        readQuizSettings(
          body,
          draft.modules.map((m) => m.slug),
        ),
        revisionOf(body),
      );
      res.redirect(303, `/author/courses/${id}/quizzes/${slug}?done=quiz_saved`);
    } catch (error) {
      if (error instanceof QuizChangedError) {
        res.status(409);
        return this.renderQuiz(req, res, access, draft, quiz, {
          values: { ...body, revision: String(quiz.revision) },
          conflict: true,
        });
      }
      if (!(error instanceof FormInvalidError)) throw error;
      await this.renderQuiz(req, res, access, draft, quiz, { values: body }, error);
    }
  }

  @Post(':slug/delete')
  @HttpCode(200)
  async remove(
    @Param('id', ParseIntPipe) id: number,
    @Param('slug') slug: string,
    @CurrentUser() user: User,
    @Res() res: Response,
  ) {
    const access = await this.access.access(user, id);
    await this.authoring.deleteQuiz(user, access, slug);
    res.redirect(303, `/author/courses/${id}?done=quiz_deleted#quizzes`);
  }

  /** The pool as GIFT, the format content/ and Moodle use. */
  @Get(':slug/export.gift')
  async exportGift(
    @Param('id', ParseIntPipe) id: number,
    @Param('slug') slug: string,
    @CurrentUser() user: User,
    @Res() res: Response,
  ) {
    const { access, quiz } = await this.load(user, id, slug);
    res.set({
      'Content-Type': 'text/plain; charset=utf-8',
      'Content-Disposition': `attachment; filename="${access.course.slug}-${quiz.slug}.gift"`,
      'Cache-Control': 'no-store',
    });
    res.send(writeGift(quiz.questions));
  }

  /** Paste or upload GIFT: Preview shows what would be imported and every error with its line; Import applies it, all or nothing. */
  @Post(':slug/gift')
  @HttpCode(200)
  async gift(
    @Param('id', ParseIntPipe) id: number,
    @Param('slug') slug: string,
    @Body() body: Body,
    @CurrentUser() user: User,
    @Req() req: Request,
    @Res() res: Response,
  ) {
    const { access, draft, quiz } = await this.load(user, id, slug);
    const file = uploadedFile(req, 'giftFile');
    const source = (
      file ? file.data.toString('utf8') : typeof body.gift === 'string' ? body.gift : ''
    ).replace(/^\uFEFF/, '');
    const mode: GiftImportMode = body.mode === 'replace' ? 'replace' : 'add';
    if (body.action !== 'import') {
      return this.renderQuiz(req, res, access, draft, quiz, {
        gift: { source, mode, preview: this.authoring.previewGift(quiz, source, mode) },
      });
    }
    try {
      await this.authoring.importGift(user, access, slug, source, mode, revisionOf(body));
      res.redirect(303, `/author/courses/${id}/quizzes/${slug}?done=gift_imported#questions`);
    } catch (error) {
      if (error instanceof GiftInvalidError) {
        res.status(400);
        return this.renderQuiz(req, res, access, draft, quiz, {
          gift: { source, mode, preview: error.preview },
        });
      }
      if (error instanceof QuizChangedError) {
        res.status(409);
        return this.renderQuiz(req, res, access, draft, quiz, {
          gift: { source, mode, preview: this.authoring.previewGift(quiz, source, mode) },
          conflict: true,
        });
      }
      throw error;
    }
  }

  // ---- questions ------------------------------------------------------------------------

  @Get(':slug/questions/new')
  async newQuestion(
    @Param('id', ParseIntPipe) id: number,
    @Param('slug') slug: string,
    @Query('type') type: string,
    @CurrentUser() user: User,
    @Req() req: Request,
    @Res() res: Response,
  ) {
    const { access, quiz } = await this.load(user, id, slug);
    renderForm(
      req,
      res,
      'author/question',
      this.questionPage(access, quiz, null, emptyQuestionForm(isQuestionType(type) ? type : 'single')),
    );
  }

  @Post(':slug/questions')
  @HttpCode(200)
  async addQuestion(
    @Param('id', ParseIntPipe) id: number,
    @Param('slug') slug: string,
    @Body() body: Body,
    @CurrentUser() user: User,
    @Req() req: Request,
    @Res() res: Response,
  ) {
    return this.saveQuestion(user, id, slug, null, body, req, res);
  }

  @Get(':slug/questions/:number')
  async editQuestion(
    @Param('id', ParseIntPipe) id: number,
    @Param('slug') slug: string,
    @Param('number', ParseIntPipe) number: number,
    @CurrentUser() user: User,
    @Req() req: Request,
    @Res() res: Response,
  ) {
    const { access, quiz } = await this.load(user, id, slug);
    const question = quiz.questions[number - 1];
    if (!question) throw new NotFoundError();
    renderForm(
      req,
      res,
      'author/question',
      this.questionPage(access, quiz, number, withBlankRows(questionFormFromDefinition(question), 0)),
    );
  }

  @Post(':slug/questions/:number')
  @HttpCode(200)
  async updateQuestion(
    @Param('id', ParseIntPipe) id: number,
    @Param('slug') slug: string,
    @Param('number', ParseIntPipe) number: number,
    @Body() body: Body,
    @CurrentUser() user: User,
    @Req() req: Request,
    @Res() res: Response,
  ) {
    return this.saveQuestion(user, id, slug, number, body, req, res);
  }

  @Post(':slug/questions/:number/delete')
  @HttpCode(200)
  async deleteQuestion(
    @Param('id', ParseIntPipe) id: number,
    @Param('slug') slug: string,
    @Param('number', ParseIntPipe) number: number,
    @Body() body: Body,
    @CurrentUser() user: User,
    @Req() req: Request,
    @Res() res: Response,
  ) {
    const { access, draft, quiz } = await this.load(user, id, slug);
    try {
      await this.authoring.deleteQuestion(user, access, slug, number, revisionOf(body));
      res.redirect(303, `/author/courses/${id}/quizzes/${slug}?done=question_deleted#questions`);
    } catch (error) {
      if (!(error instanceof QuizChangedError)) throw error;
      res.status(409);
      await this.renderQuiz(req, res, access, draft, quiz, { conflict: true });
    }
  }

  private async saveQuestion(
    user: User,
    id: number,
    slug: string,
    number: number | null,
    body: Body,
    req: Request,
    res: Response,
  ) {
    const { access, quiz } = await this.load(user, id, slug);
    const type = isQuestionType(body.type) ? body.type : 'single';
    const form = questionFormFromBody(body, type);
    // "More rows": the same form again with blank rows added, nothing saved.
    if (body.action === 'rows')
      return renderForm(
        req,
        res,
        'author/question',
        this.questionPage(access, quiz, number, withBlankRows(form, 3), String(body.revision ?? '')),
      );
    try {
      await this.authoring.saveQuestion(
        user,
        access,
        slug,
        number,
        questionFromForm(form),
        revisionOf(body),
      );
      res.redirect(303, `/author/courses/${id}/quizzes/${slug}?done=question_saved#questions`);
    } catch (error) {
      const page = this.questionPage(
        access,
        quiz,
        number,
        withBlankRows(form, 0),
        String(body.revision ?? ''),
      );
      if (error instanceof QuizChangedError) {
        res.status(409);
        return renderForm(req, res, 'author/question', {
          ...page,
          conflict: true,
          revision: String(quiz.revision),
        });
      }
      if (error instanceof QuestionInvalidError)
        return renderForm(req, res, 'author/question', { ...page, problems: error.problems }, error);
      throw error;
    }
  }

  private questionPage(
    access: CourseAccess,
    quiz: DraftQuiz,
    number: number | null,
    form: QuestionForm,
    revision = String(quiz.revision),
  ) {
    const is = (...types: string[]) => types.includes(form.type);
    return {
      course: courseHeader(access.course),
      quiz: { slug: quiz.slug, title: quiz.title },
      number,
      pageTitle: quiz.title,
      form: {
        ...form,
        options: form.options.map((o, index) => ({ ...o, index })),
        numeric: form.numeric.map((n, index) => ({ ...n, index })),
        pairs: form.pairs.map((p, index) => ({ ...p, index })),
      },
      typeKey: `author.question_type.${form.type}`,
      formats: TEXT_FORMATS.map((format) => ({ format, selected: format === form.format })),
      answerTrue: form.answer === 'true',
      answerFalse: form.answer === 'false',
      shows: {
        choices: is('single', 'missingword'),
        weights: is('multiple'),
        answers: is('short'),
        numeric: is('numeric'),
        pairs: is('matching'),
        truefalse: is('truefalse'),
        textAfter: is('missingword'),
        rows: !is('truefalse', 'essay'),
      },
      revision,
      action:
        number === null
          ? `/author/courses/${access.course.id}/quizzes/${quiz.slug}/questions`
          : `/author/courses/${access.course.id}/quizzes/${quiz.slug}/questions/${number}`,
    };
  }
}
