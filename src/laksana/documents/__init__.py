"""Official documents made from the product's data: letters and minutes of a case (numbered,
initialled and signed in order, verifiable), and the SOP AP document of a procedure."""
