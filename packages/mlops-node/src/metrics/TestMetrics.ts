import {
  coreServices,
  createServiceFactory,
} from '@backstage/backend-plugin-api';
import {
  MetricsService,
  metricsServiceRef,
} from '@backstage/backend-plugin-api/alpha';
import {
  DataPointType,
  Histogram,
  MeterProvider,
  MetricData,
  MetricReader,
} from '@opentelemetry/sdk-metrics';

/** A reader that collects only when asked to. */
class OnDemandReader extends MetricReader {
  protected async onShutdown(): Promise<void> {}
  protected async onForceFlush(): Promise<void> {}
}

/**
 * What a histogram recorded: count, sum, min, max and the counts per bucket.
 *
 * @public
 */
export type RecordedHistogram = Histogram;

/**
 * One recorded series of a metric: its attributes and its value (a number for counters and
 * gauges, a histogram's count, sum and buckets for histograms).
 *
 * @public
 */
export type RecordedPoint = {
  attributes: Record<string, unknown>;
  value: number | RecordedHistogram;
};

/**
 * Metrics for tests: a private OpenTelemetry MeterProvider whose meters stand in for the
 * backend's MetricsService, and a reader that collects what the code recorded (observable
 * instruments run their callbacks on each read), as Prometheus would on a scrape.
 *
 * @public
 */
export class TestMetrics {
  private readonly reader = new OnDemandReader();
  private readonly provider = new MeterProvider({ readers: [this.reader] });

  /** The MetricsService of one plugin, scoped as backend-defaults scopes it. */
  forPlugin(pluginId: string): MetricsService {
    return this.provider.getMeter(`backstage-plugin-${pluginId}`);
  }

  /** A metricsServiceRef factory for startTestBackend, in place of the default one. */
  factory() {
    return createServiceFactory({
      service: metricsServiceRef,
      deps: { pluginMetadata: coreServices.pluginMetadata },
      factory: ({ pluginMetadata }) => this.forPlugin(pluginMetadata.getId()),
    });
  }

  /** Everything recorded so far, by metric name. */
  async collect(): Promise<Map<string, MetricData>> {
    const { resourceMetrics, errors } = await this.reader.collect();
    if (errors.length > 0) {
      throw new Error(`Collecting metrics failed: ${errors.join('; ')}`);
    }
    const metrics = new Map<string, MetricData>();
    for (const scope of resourceMetrics.scopeMetrics) {
      for (const metric of scope.metrics) {
        metrics.set(metric.descriptor.name, metric);
      }
    }
    return metrics;
  }

  /** The series of one metric; empty when nothing was recorded under that name. */
  async points(name: string): Promise<RecordedPoint[]> {
    const metric = (await this.collect()).get(name);
    if (!metric) return [];
    return metric.dataPoints.map(point => ({
      attributes: { ...point.attributes },
      value:
        metric.dataPointType === DataPointType.HISTOGRAM
          ? (point.value as RecordedHistogram)
          : (point.value as number),
    }));
  }

  /** The value of the one series of `name` whose attributes include `attributes`. */
  async value(
    name: string,
    attributes: Record<string, unknown> = {},
  ): Promise<number | RecordedHistogram | undefined> {
    const matching = (await this.points(name)).filter(point =>
      Object.entries(attributes).every(
        ([key, expected]) => point.attributes[key] === expected,
      ),
    );
    if (matching.length > 1) {
      throw new Error(
        `${matching.length} series of ${name} match ${JSON.stringify(
          attributes,
        )}`,
      );
    }
    return matching[0]?.value;
  }

  async shutdown(): Promise<void> {
    await this.provider.shutdown();
  }
}
