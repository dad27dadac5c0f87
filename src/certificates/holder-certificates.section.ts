import { Injectable, OnModuleInit } from '@nestjs/common';
import { DashboardSections } from '../enrollments/dashboard-sections';
import { CertificatesService } from './certificates.service';

/** "My certificates" on the learner's dashboard (views/partials/my-certificates.hbs), shown once they have one. */
@Injectable()
export class HolderCertificatesSection implements OnModuleInit {
  constructor(
    private readonly sections: DashboardSections,
    private readonly certificates: CertificatesService,
  ) {}

  onModuleInit(): void {
    this.sections.register(async (userId) => {
      const certificates = await this.certificates.holderCertificates(userId);
      if (certificates.length === 0) return null;
      return { partial: 'my-certificates', data: { certificates, news: certificates.filter((c) => c.isNew) } };
    });
  }
}
