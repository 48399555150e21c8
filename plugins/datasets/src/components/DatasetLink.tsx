import { Link } from '@backstage/core-components';
import { useRouteRef } from '@backstage/frontend-plugin-api';
import { Dataset } from '@internal/backstage-plugin-datasets-common';
import { datasetRouteRef } from '../routes';

/** The dataset's name, linking to its page where the datasets page is mounted. */
export function DatasetLink(props: { dataset: Dataset }) {
  const datasetPath = useRouteRef(datasetRouteRef);
  if (!datasetPath) return <>{props.dataset.name}</>;
  return (
    <Link to={datasetPath({ datasetId: props.dataset.id })}>
      {props.dataset.name}
    </Link>
  );
}
