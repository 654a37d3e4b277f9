import type { ContainerType } from 'type-graphql';

/** Hands type-graphql the resolver instances the app constructed with their services. */
export function resolverContainer(instances: object[]): ContainerType {
  const byClass = new Map<unknown, object>(instances.map((instance) => [instance.constructor, instance]));
  return {
    get(someClass) {
      const instance = byClass.get(someClass);
      if (!instance) throw new Error(`no instance of ${(someClass as { name?: string }).name} in the container`);
      return instance;
    },
  };
}
