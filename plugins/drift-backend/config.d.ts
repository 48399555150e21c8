export interface Config {
  mlops?: {
    drift?: {
      /** How often running checks are read and scheduled ones started, in seconds (default 30). */
      scheduleSeconds?: number;
      /** A check whose Ray job runs longer is stopped and failed, in minutes (default 15). */
      checkTimeoutMinutes?: number;
      /** Outgoing alerts (drift detected) to an n8n workflow. */
      n8n?: {
        /**
         * URL of the n8n Webhook node that receives the alerts.
         * @visibility secret
         */
        webhookUrl?: string;
        /**
         * Signs each delivery: headers x-mlops-timestamp (Unix seconds) and x-mlops-signature
         * (sha256=<hex HMAC-SHA256 of "<timestamp>.<body>">).
         * @visibility secret
         */
        webhookSecret?: string;
      };
    };
  };
}
