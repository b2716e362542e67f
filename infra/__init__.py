"""What the receiver and the worker share, owned by neither."""
