import { type Actor, requireRole } from '../accounts/roles.js';
import type { Clock } from '../clock.js';
import { TallyError, validationError } from '../errors.js';
import { fold } from '../fold.js';
import { uuidv7 } from '../ids.js';
import type { LocalPlace, LocalPlacesRepository } from './local-places.repository.js';

/** The deployment's own place list, kept by coordinators; messages naming one are placed there. */
export class LocalPlacesService {
  constructor(
    private readonly places: LocalPlacesRepository,
    private readonly clock: Clock,
  ) {}

  async add(actor: Actor, input: { name: string; lat: number; lon: number }): Promise<LocalPlace[]> {
    requireRole(actor, 'coordinator', 'add places');
    const key = fold(input.name);
    if (!key) throw validationError('/name', 'must hold letters or digits');
    if (key.split(' ').length > 4) throw validationError('/name', 'a place name is at most four words');
    await this.places.upsert(
      { id: uuidv7(), name: input.name.trim(), key, lat: input.lat, lon: input.lon },
      this.clock.now().toISOString(),
    );
    return this.places.list();
  }

  async list(actor: Actor): Promise<LocalPlace[]> {
    requireRole(actor, 'volunteer', 'see the place list');
    return this.places.list();
  }

  async remove(actor: Actor, id: string): Promise<void> {
    requireRole(actor, 'coordinator', 'remove places');
    if (!(await this.places.remove(id))) throw new TallyError('not_found', `No place ${id}`);
  }

  /** Every place, for looking for their names in messages. */
  all(): Promise<LocalPlace[]> {
    return this.places.list();
  }
}
