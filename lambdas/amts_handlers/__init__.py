"""Thin Lambda handlers: Powertools decorators, parse the input into a model, call one domain function."""
