/** Ready only when every subgraph says it is ready (its own database answers). */
export async function unreadySubgraphs(subgraphUrls: Record<string, string>, timeoutMs = 2000): Promise<string[]> {
  const results = await Promise.all(
    Object.entries(subgraphUrls).map(async ([name, url]) => {
      try {
        const answer = await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(timeoutMs) });
        return answer.ok ? null : name;
      } catch {
        return name;
      }
    }),
  );
  return results.filter((name): name is string => name !== null);
}
