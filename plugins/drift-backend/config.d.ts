export interface Config {
  mlops?: {
    drift?: {
      /** Outgoing alerts (drift detected, retraining started) to an n8n workflow. */
      n8n?: {
        /**
         * URL of the n8n Webhook node that receives the alerts.
         * @visibility secret
         */
        webhookUrl?: string;
      };
    };
  };
}
