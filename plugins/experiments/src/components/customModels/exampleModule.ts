/** A module that passes the check: a small CNN with two hyperparameters of its own. */
export const EXAMPLE_MODULE = `from torch import nn

# Optional: the model's own hyperparameters (each with a type, a default, a title and a
# description); the New training run form shows them beside the training loop's.
HYPERPARAMETER_SCHEMA = {
    "type": "object",
    "properties": {
        "channels": {"type": "integer", "minimum": 4, "maximum": 64, "default": 16,
                     "title": "Channels", "description": "Filters of the convolution."},
        "dropout": {"type": "number", "minimum": 0, "maximum": 0.9, "default": 0.25,
                    "title": "Dropout", "description": "Share of features dropped in training."},
    },
}


def build_model(config):
    # config: the hyperparameters, defaults filled in.
    # Input: float32 (N, 1, 28, 28) in [0, 1]; output: (N, 10) logits.
    channels = config["channels"]
    return nn.Sequential(
        nn.Conv2d(1, channels, kernel_size=3, padding=1),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Flatten(),
        nn.Dropout(config["dropout"]),
        nn.Linear(channels * 14 * 14, 10),
    )
`;
