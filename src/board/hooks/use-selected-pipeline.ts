// The pipeline on screen: the URL's (a shared link wins), else the one the rep chose last time,
// else the first. The choice is remembered across visits.
import { useQuery } from '@tanstack/react-query';
import { type PipelineOption, pipelinesQuery } from '../../api/lookup-queries';
import { updateSearch, useLocation } from '../../lib/url-state';

const storageKey = 'dealdeck.pipeline';

export function useSelectedPipeline() {
  const pipelines = useQuery(pipelinesQuery());
  const { search } = useLocation();
  const wanted = search.get('pipeline') ?? localStorage.getItem(storageKey);
  const list = pipelines.data ?? [];
  const selected: PipelineOption | undefined = list.find((p) => p.ID === wanted) ?? list[0];
  const select = (id: string) => {
    localStorage.setItem(storageKey, id);
    updateSearch({ pipeline: id });
  };
  return { pipelines, selected, select };
}
