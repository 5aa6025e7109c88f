"""The trained top of the offline model (``jigsaw-minilm.safetensors``) and its manifest.

Made by ``moderation model train``; see ``docs/model.md``. A package only so that
the files are installed with the code.
"""
