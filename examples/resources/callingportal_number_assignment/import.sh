# A number assignment is imported by the number, in E.164.
terraform import callingportal_number_assignment.sales_direct +13125550153
