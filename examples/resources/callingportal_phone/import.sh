# A phone is imported by its name (any case) or by its ID.
terraform import callingportal_phone.lobby "Lobby Phone"
terraform import callingportal_phone.lobby ph_k3j9x2m4q7ab
