"""Use cases: one public function each, called by routes and jobs alike; they read, apply the domain's rules and
write through the store, raising the domain's errors."""
