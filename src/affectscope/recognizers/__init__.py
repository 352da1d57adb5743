"""Recognizers, one module per modality, all with the interface of :class:`.base.Recognizer`."""
