"""residence"""
