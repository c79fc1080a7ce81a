# With Terraform 1.12 or later, an import block can name the user by its
# identity: its ID, and the site, which defaults to the provider's.
import {
  to = callingportal_user.jane
  identity = {
    id = "usr_k3j9x2m4q7ab"
  }
}
