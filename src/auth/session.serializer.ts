import { Injectable } from '@nestjs/common';
import { PassportSerializer } from '@nestjs/passport';
import { User } from '../users/user.entity';
import { UsersService } from '../users/users.service';

/**
 * The session keeps only the user id; the account comes from UsersService's shared cache, which
 * every process clears on any change to an account, so role changes apply at once.
 */
@Injectable()
export class SessionSerializer extends PassportSerializer {
  constructor(private readonly users: UsersService) {
    super();
  }

  serializeUser(user: User, done: (err: unknown, id?: number) => void): void {
    done(null, user.id);
  }

  deserializeUser(id: number, done: (err: unknown, user?: User | false) => void): void {
    this.users
      .findSignedInUser(id)
      .then((user) => done(null, user ?? false))
      .catch((error) => done(error));
  }
}
