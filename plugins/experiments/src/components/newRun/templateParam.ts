/** The query parameter that preselects a model template in the New training run form. */
export const TEMPLATE_PARAM = 'template';

/** The New training run page's path with the template `templateId` preselected. */
export function newRunWithTemplate(newRunPath: string, templateId: string) {
  return `${newRunPath}?${new URLSearchParams({
    [TEMPLATE_PARAM]: templateId,
  })}`;
}
