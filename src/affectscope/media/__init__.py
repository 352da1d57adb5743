"""Readers and normalisers per modality (text now; audio, image, video and physio follow)."""
