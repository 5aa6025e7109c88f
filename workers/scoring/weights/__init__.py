"""The trained parts of the offline models (``<name>.safetensors``), their manifests
(``<name>.json``) and calibrations (``<name>.calibration.json``).

``news-minilm-2`` (the default) is made by ``moderation model finetune`` (continuing
``news-minilm``, made by the same command from the wheel) and calibrated by ``moderation
model targets``; ``jigsaw-minilm`` by ``moderation model train``. See
``docs/model.md``. A package only so that the files are installed with the code.
"""
