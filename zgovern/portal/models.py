"""What an employee sees: their own policies, training and onboarding."""
