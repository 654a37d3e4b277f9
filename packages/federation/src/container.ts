import type { ContainerType } from 'type-graphql';

export type ResolverClass = abstract new (...args: any[]) => object;

/** One instance per class of the subgraph's resolver list, in its order. */
export type ResolverInstances<Classes extends readonly ResolverClass[]> = { -readonly [K in keyof Classes]: InstanceType<Classes[K]> };

/**
 * Hands type-graphql the resolver instances the app constructed with their services, checked
 * against the subgraph's one list of resolver classes by the compiler and again here, so a
 * class without its instance cannot start.
 */
export function resolverContainer<const Classes extends readonly ResolverClass[]>(
  classes: Classes,
  instances: ResolverInstances<Classes>,
): ContainerType {
  const constructed = instances as readonly object[];
  classes.forEach((someClass, index) => {
    if (constructed[index]?.constructor !== someClass) throw new Error(`resolver ${index} must be an instance of ${someClass.name}`);
  });
  if (constructed.length !== classes.length) throw new Error(`${constructed.length} resolver instances for ${classes.length} resolver classes`);
  const byClass = new Map<unknown, object>(constructed.map((instance) => [instance.constructor, instance]));
  return {
    get(someClass) {
      const instance = byClass.get(someClass);
      if (!instance) throw new Error(`no instance of ${(someClass as { name?: string }).name} in the container`);
      return instance;
    },
  };
}
