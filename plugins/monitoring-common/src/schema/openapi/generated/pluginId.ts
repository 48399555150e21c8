export const pluginId = 'monitoring';
