/**
 * In-scope namespace bindings as a chain: each element that declares namespaces gets a scope
 * holding only its own declarations and a link to its parent's; an element that declares none
 * shares its parent's scope. Reading a document therefore costs time and memory linear in its
 * size, however many declarations it repeats (copying the parent's bindings for every declaring
 * element made a 649 KB request with thousands of prefixes take tens of seconds). A lookup walks at
 * most one scope per level of nesting, which the reader bounds.
 */
export class NamespaceScope {
  private readonly own = new Map<string, string>();

  private constructor(private readonly parent: NamespaceScope | undefined) {}

  /** The scope outside every element: only `xml` is bound (Namespaces in XML §3). */
  static root(xmlNamespace: string): NamespaceScope {
    const scope = new NamespaceScope(undefined);
    scope.own.set('xml', xmlNamespace);
    return scope;
  }

  /** A scope for an element that declares namespaces of its own. */
  child(): NamespaceScope {
    return new NamespaceScope(this);
  }

  /** Binds a prefix in this scope ('' is the default namespace); a later declaration of it wins. */
  declare(prefix: string, uri: string): void {
    this.own.set(prefix, uri);
  }

  /** The URI bound to a prefix here or in an enclosing scope, or undefined when it is unbound. */
  lookup(prefix: string): string | undefined {
    return this.own.get(prefix) ?? this.parent?.lookup(prefix);
  }

  /** How many bindings this scope holds itself (not inherited): what reading an element stored. */
  get ownBindings(): number {
    return this.own.size;
  }
}
