"""Job orders: a company's vacancies, from open to filled or unfilled, with referrals from every centre."""
