# With Terraform 1.12 or later, an import block can name the assignment by
# its identity: the number, and the site, which defaults to the provider's.
import {
  to = callingportal_number_assignment.sales_direct
  identity = {
    number = "+13125550153"
  }
}
