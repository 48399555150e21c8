import { Link, Progress, ResponseErrorPanel } from '@backstage/core-components';
import { identityApiRef, useApi } from '@backstage/frontend-plugin-api';
import { catalogApiRef, EntityRefLinks } from '@backstage/plugin-catalog-react';
import { EntityRefLink } from '@backstage/plugin-catalog-react';
import List from '@material-ui/core/List';
import ListItem from '@material-ui/core/ListItem';
import ListItemText from '@material-ui/core/ListItemText';
import Typography from '@material-ui/core/Typography';
import { getEntityRelations } from '@backstage/plugin-catalog-react';
import { RELATION_OWNED_BY } from '@backstage/catalog-model';
import useAsync from 'react-use/esm/useAsync';

/** ML projects (System entities of type ml-project) owned by the user or their teams. */
export function MyProjectsWidget() {
  const catalogApi = useApi(catalogApiRef);
  const identityApi = useApi(identityApiRef);
  const { value, loading, error } = useAsync(async () => {
    const { ownershipEntityRefs } = await identityApi.getBackstageIdentity();
    const { items } = await catalogApi.getEntities({
      filter: {
        kind: 'System',
        'spec.type': 'ml-project',
        'relations.ownedBy': ownershipEntityRefs,
      },
    });
    return items;
  }, [catalogApi, identityApi]);

  if (loading) return <Progress />;
  if (error) return <ResponseErrorPanel error={error} />;
  if (!value?.length) {
    return (
      <Typography>
        You have no ML project yet.{' '}
        <Link to="/create">Create one from a template</Link>.
      </Typography>
    );
  }
  return (
    <List dense>
      {value.map(entity => (
        <ListItem key={entity.metadata.uid ?? entity.metadata.name}>
          <ListItemText
            primary={<EntityRefLink entityRef={entity} />}
            secondary={
              <>
                {entity.metadata.description}{' '}
                <EntityRefLinks
                  entityRefs={getEntityRelations(entity, RELATION_OWNED_BY)}
                />
              </>
            }
          />
        </ListItem>
      ))}
    </List>
  );
}
