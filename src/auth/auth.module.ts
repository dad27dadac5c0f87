import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { PassportModule } from '@nestjs/passport';
import { MailModule } from '../mail/mail.module';
import { UsersModule } from '../users/users.module';
import { AdminUnlockController } from './admin-unlock.controller';
import { AuthController } from './auth.controller';
import { AuthService } from './auth.service';
import { LocalStrategy } from './local.strategy';
import { LoginThrottleService } from './login-throttle.service';
import { RolesGuard } from './roles.guard';
import { CsrfGuard } from './csrf';
import { SessionCleanup } from './session-cleanup';
import { SessionSerializer } from './session.serializer';
import { SetupService } from './setup.service';

@Module({
  imports: [PassportModule.register({ session: true }), UsersModule, MailModule],
  controllers: [AuthController, AdminUnlockController],
  providers: [
    AuthService,
    LoginThrottleService,
    LocalStrategy,
    SessionSerializer,
    SessionCleanup,
    SetupService,
    { provide: APP_GUARD, useClass: CsrfGuard },
    { provide: APP_GUARD, useClass: RolesGuard },
  ],
  exports: [SetupService],
})
export class AuthModule {}
