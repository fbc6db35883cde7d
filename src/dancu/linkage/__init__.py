"""Record linkage: Vietnamese-aware normalisation of names, dates, phones and addresses."""
