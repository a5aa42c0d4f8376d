"""Deployment: the production shape on one machine (``deploy.local``) and cluster manifests."""
