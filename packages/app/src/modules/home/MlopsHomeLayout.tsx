import { Content, Header, Page } from '@backstage/core-components';
import { HomePageLayoutProps } from '@backstage/plugin-home-react/alpha';
import Grid, { GridSize } from '@material-ui/core/Grid';

/**
 * Shows the widgets named in the home page's `defaultConfig` (app-config), in row/column order
 * with their width out of 12; without a config, every widget at full width.
 */
export function MlopsHomeLayout({
  widgets,
  defaultConfig,
}: HomePageLayoutProps) {
  const placed = defaultConfig
    ? [...defaultConfig]
        .sort((a, b) => a.row - b.row || a.column - b.column)
        .flatMap(item => {
          const widget = widgets.find(w => w.name === item.component);
          return widget ? [{ widget, width: item.width as GridSize }] : [];
        })
    : widgets.map(widget => ({ widget, width: 12 as GridSize }));

  return (
    <Page themeId="home">
      <Header
        title="MLOps portal"
        subtitle="Datasets, training, models and deployments of your teams"
      />
      <Content>
        <Grid container spacing={3}>
          {placed.map(({ widget, width }) => (
            <Grid item xs={12} md={width} key={widget.name}>
              {widget.component}
            </Grid>
          ))}
        </Grid>
      </Content>
    </Page>
  );
}
