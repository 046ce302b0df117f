import type { DrmSystem } from './drm-system.js';

/** The DRM systems this server answers for, by system ID (looked up case-insensitively). */
export class DrmRegistry {
  private readonly systems = new Map<string, DrmSystem>();

  constructor(systems: readonly DrmSystem[]) {
    for (const system of systems) {
      const id = system.systemId.toLowerCase();
      if (this.systems.has(id)) throw new Error(`DRM system ${id} registered twice`);
      this.systems.set(id, system);
    }
  }

  get(systemId: string): DrmSystem | undefined {
    // Keys are lower-case: a lower-case ID is found as it is, any other spelling after lowering.
    return this.systems.get(systemId) ?? this.systems.get(systemId.toLowerCase());
  }

  ids(): string[] {
    return [...this.systems.keys()];
  }
}
