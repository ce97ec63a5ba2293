import { AccountsService } from './accounts/accounts.service.js';
import { UsersRepository } from './accounts/users.repository.js';
import { CategoriesRepository } from './categories/categories.repository.js';
import { CategoriesService } from './categories/categories.service.js';
import type { Clock } from './clock.js';
import type { Db } from './db/database.js';
import { PlacesService } from './geo/places.service.js';
import { ReportsRepository } from './reports/reports.repository.js';
import { ReportsService } from './reports/reports.service.js';
import { SurveysRepository } from './surveys/surveys.repository.js';

export interface Services {
  accounts: AccountsService;
  categories: CategoriesService;
  reports: ReportsService;
  places: PlacesService;
}

/** The composition root: repositories over the database, services over the repositories. */
export function createServices(db: Db, clock: Clock): Services {
  const categories = new CategoriesService(new CategoriesRepository(db.kysely), clock);
  const surveys = new SurveysRepository(db.kysely);
  return {
    accounts: new AccountsService(new UsersRepository(db.kysely), clock),
    categories,
    reports: new ReportsService(
      new ReportsRepository(db.kysely, db.dialect, db.sqlite),
      surveys,
      categories,
      clock,
    ),
    places: new PlacesService(),
  };
}
