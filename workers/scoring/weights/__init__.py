"""The trained parts of the offline models (``<name>.safetensors``), their manifests
(``<name>.json``) and calibrations (``<name>.calibration.json``).

``news-minilm-3`` (the default) is made by ``moderation model finetune`` (continuing
``news-minilm-2``, which continued ``news-minilm``, both made by earlier versions of the
same command) and calibrated by ``moderation model targets``; ``jigsaw-minilm`` by
``moderation model train``. See ``docs/model.md``. A package only so that the files are
installed with the code.
"""
