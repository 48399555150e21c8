import { LinkButton, LinkButtonProps } from '@backstage/core-components';
import { useRouteRef } from '@backstage/frontend-plugin-api';
import { CustomModelVersion } from '@internal/backstage-plugin-experiments-common';
import { newTrainingRunRouteRef } from '../../routes';
import { newRunWithTemplate } from '../newRun/templateParam';

/** A link to the New training run page with this custom model version's template chosen. */
export function TrainLink(
  props: { version: CustomModelVersion } & Omit<LinkButtonProps, 'to'>,
) {
  const { version, ...buttonProps } = props;
  const newRunPath = useRouteRef(newTrainingRunRouteRef);
  if (!newRunPath) return null;
  return (
    <LinkButton
      {...buttonProps}
      to={newRunWithTemplate(newRunPath(), version.templateId)}
    />
  );
}
