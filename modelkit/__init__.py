"""The offline default model: assembly from shipped weights, training and evaluation."""
