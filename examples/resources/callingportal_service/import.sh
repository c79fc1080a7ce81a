# A service is imported by its name (any case) or by its ID.
terraform import callingportal_service.sales "Sales Hunt Group"
terraform import callingportal_service.sales svc_k3j9x2m4q7ab
