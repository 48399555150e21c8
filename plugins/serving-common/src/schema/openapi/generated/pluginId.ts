export const pluginId = 'serving';
