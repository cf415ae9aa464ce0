"""Planning survey visits ahead, by cluster or street, and open slots for residents."""
