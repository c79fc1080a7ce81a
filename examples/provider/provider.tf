# Terraform 1.0 or later. The examples on the resource and data source pages
# assume this block; those that need a later Terraform declare it themselves.
terraform {
  required_version = ">= 1.0"
  required_providers {
    callingportal = {
      source  = "callingportal/callingportal"
      version = "~> 0.1"
    }
  }
}

# endpoint, token and site fall back to CALLINGPORTAL_ENDPOINT,
# CALLINGPORTAL_TOKEN and CALLINGPORTAL_SITE: keep the token out of the code.
provider "callingportal" {
  endpoint = "http://127.0.0.1:8080"
  site     = "demo"

  # Optional: how hard to retry on 429, 502, 503, 504 and dropped connections.
  max_retries    = 4
  retry_wait_max = "10s"
}
